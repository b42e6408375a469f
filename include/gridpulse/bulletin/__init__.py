"""The monthly bulletin (通报), rendered from the marts through templates kept in the repo."""
