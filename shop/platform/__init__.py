"""Platform code every domain uses: money, crypto, roles, MFA, security headers,
redaction, the audit trail, mail, PDF documents, CSV, the Stripe gateway."""
