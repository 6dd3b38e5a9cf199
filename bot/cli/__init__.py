"""The command line (python -m bot ...): thin commands over library functions, and log set-up."""
