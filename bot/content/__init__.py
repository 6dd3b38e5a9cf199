"""The content editors maintain, as data: the model (topics, contacts, glossary, flows as definitions), loading, and the editors' check with file:line errors."""
