"""The content editors maintain, as data: the model and its parse (model), the shared checks (validate),
one module per content kind with its check and parser (topics, contacts, glossary, out_of_scope, flows,
vocabulary, safety), the editors' check that runs them (check) and the loader that builds the model (loader)."""
