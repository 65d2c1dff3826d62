package exercise

import (
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/fsnotify/fsnotify"
)

// watcher tells the UI that a file in the exercise folder was saved.
//
// fsnotify delivers a burst of events per save (write, chmod, or
// create+rename for editors that write a new file and rename it over the
// old). The goroutine here folds them into a 1-slot channel, so the UI
// gets at most one message per burst; the view then waits a short,
// generation-tagged debounce tick before re-checking.
type watcher struct {
	w       *fsnotify.Watcher
	changed chan string   // capacity 1: the last changed file's name
	done    chan struct{} // closed when the goroutine ends
}

// changedMsg says a file changed; gen names the watch it came from.
type changedMsg struct {
	self *instance
	gen  int
	name string
}

// watchClosedMsg says the watch ended (stopped, or its folder is gone).
type watchClosedMsg struct {
	self *instance
	gen  int
}

func startWatch(dir string) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := fw.Add(dir); err != nil {
		fw.Close()
		return nil, err
	}
	w := &watcher{w: fw, changed: make(chan string, 1), done: make(chan struct{})}
	go w.loop()
	return w, nil
}

func (w *watcher) loop() {
	defer close(w.done)
	defer func() { _ = recover() }() // never take the UI down from here
	for {
		select {
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			name := filepath.Base(ev.Name)
			if !strings.HasSuffix(name, ".go") || !ev.Has(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) {
				continue
			}
			select {
			case w.changed <- name:
			default: // one is pending already
			}
		case _, ok := <-w.w.Errors:
			if !ok {
				return
			}
		}
	}
}

// next returns the Cmd waiting for the next change.
func (w *watcher) next(self *instance, gen int) tea.Cmd {
	return func() tea.Msg {
		select {
		case name := <-w.changed:
			return changedMsg{self, gen, name}
		case <-w.done:
			return watchClosedMsg{self, gen}
		}
	}
}

func (w *watcher) stop() { w.w.Close() }
