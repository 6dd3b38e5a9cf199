"""Questions to topics: features, the Naive Bayes and nearest-example signals, the calibrated confidence."""
