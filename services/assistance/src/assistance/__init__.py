"""社会救助: 低保, 特困 and 临时救助 casework, with the benefit rules engine and its dated standards."""
