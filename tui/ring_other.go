//go:build !linux && !darwin

package main

// ringInUse: phase 2 needs Linux (io_uring) or macOS (the fallback ring).
func ringInUse() string { return "none here: phase 2 runs on Linux or macOS (on Windows, use WSL)" }
