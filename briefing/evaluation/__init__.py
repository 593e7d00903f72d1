"""The eval suite: gold briefs in, honest metrics, gated aggregates and readable reports out."""
