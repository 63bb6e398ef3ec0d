"""Schakel: the information-exchange hub of the Zorg- en Veiligheidshuizen."""
