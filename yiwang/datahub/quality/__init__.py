"""Data quality (数据质量评估): scores per resource and source department, the rules behind them, over time."""
