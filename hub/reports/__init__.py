"""DPIA reports and inzage (AVG art. 15), answered from the verstrekkingenlog."""
