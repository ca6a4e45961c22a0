"""The scoring back-end: the model as SQL per dialect and as a document."""
