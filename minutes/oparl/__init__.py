"""A read-only OParl 1.1 interface of the public committee data."""
