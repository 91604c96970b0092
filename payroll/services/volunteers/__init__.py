"""Volunteer work days' use cases: sign-ups and waivers, shifts, notices, documents, data rights."""
