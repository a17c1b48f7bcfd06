package main
func runSignal(args []string) error { return nil }
