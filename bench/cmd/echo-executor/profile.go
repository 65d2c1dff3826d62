//go:build linux

package main

import (
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

// profile writes a CPU profile to path until the process is told to stop
// (SIGTERM, as bench/run.sh's kill sends, or SIGINT): the handler stops
// the profile and exits, since the server never returns on its own.
func profile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	stop = func() { pprof.StopCPUProfile(); f.Close() }
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		stop()
		os.Exit(0)
	}()
	return stop, nil
}
