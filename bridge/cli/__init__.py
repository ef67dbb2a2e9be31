"""The `oabridge` command line."""
