package main

import (
	"time"

	"asyncworkbook/tui/internal/nav"
)

func navOpenLesson(id string) nav.OpenLesson { return nav.OpenLesson{ID: id} }

// timeAfter bounds how long runAll waits for a Cmd: spinner ticks and
// watchers never return by themselves, everything else at once.
func timeAfter() <-chan time.Time { return time.After(200 * time.Millisecond) }
