"""Reading a platform's files into canonical, typed frames, and writing them to the raw schema."""
