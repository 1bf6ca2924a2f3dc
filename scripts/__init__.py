"""Command-line jobs: the daily refresh and the test set-up."""
