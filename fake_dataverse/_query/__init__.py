"""The query engine: one model, one evaluator, several front ends."""
