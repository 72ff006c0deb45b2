"""Forms of the survey screens; they parse input, the services write."""
