"""Publishing a month's outputs: read the marts, write output/<period>/ whole or not at all."""
