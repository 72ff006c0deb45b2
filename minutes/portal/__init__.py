"""The public portal (Bürgerinfo): the committee work as citizens, the press and
committee members read it, without a login; full-text search over it."""
