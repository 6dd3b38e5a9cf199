"""What editors and programme managers read: statistics, the unanswered questions, the HTML report (read-only on the log)."""
