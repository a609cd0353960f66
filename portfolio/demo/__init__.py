"""Demo portfolios: the real Bochum one and a synthetic generator for scale tests."""
