"""Corporate gift boxes' use cases: designs, the quote, orders, recipients, documents, fulfilment."""
