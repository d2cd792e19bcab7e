"""DeepRank-Ab feature profile: graphs carrying what a DeepRank-Ab checkpoint consumes."""
