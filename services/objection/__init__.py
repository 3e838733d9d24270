"""The objection service: objections (异议, RULES O) and credit repair (信用修复, L-4)."""
