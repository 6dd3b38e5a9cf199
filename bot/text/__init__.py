"""Text in Khmer, English and romanized Khmer: normalization and segmentation, masking of personal data, languages and translation. Depends on nothing else in the bot."""
