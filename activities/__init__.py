"""Communes, villages, party units, assignments and the "3 cùng" activities."""
