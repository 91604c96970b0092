"""The shop's forms, one module per domain (the same words as models/, services/, views/)."""
