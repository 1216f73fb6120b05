"""The model seam: locating and pinning a GGUF, planning the context, running llama.cpp."""
