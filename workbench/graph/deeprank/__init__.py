"""The ``deeprank-ab`` feature profile: graphs carrying what a DeepRank-Ab checkpoint reads."""
