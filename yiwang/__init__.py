"""Yiwang (一网通): an open-source digital-government platform for a Chinese city or district."""
