// Command echo-gnet is the event-loop library twin: gnet v2 with one loop.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"

	"github.com/panjf2000/gnet/v2"
)

type echo struct {
	gnet.BuiltinEventEngine
}

func (*echo) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	c.Write(buf)
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	// gnet cannot report a port it picked: take a free one first.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bound := ln.Addr().String()
	ln.Close()
	fmt.Println(bound)
	err = gnet.Run(&echo{}, "tcp://"+bound, gnet.WithNumEventLoop(1), gnet.WithReusePort(true))
	fmt.Fprintln(os.Stderr, err)
}
