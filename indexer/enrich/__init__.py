"""What ingest adds to a parsed story: its dateline read (dateline.py), the people it
names (people/, people_model.py), and the name and place lists they use (lexicons.py).
"""
