"""The project's own feature engineering, used by the `engineered` model of mlgate.yaml."""
