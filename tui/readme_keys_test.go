package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	bkey "charm.land/bubbles/v2/key"

	"asyncworkbook/tui/internal/exercise"
	"asyncworkbook/tui/internal/finale"
	"asyncworkbook/tui/internal/home"
	"asyncworkbook/tui/internal/lesson"
	"asyncworkbook/tui/internal/theme"
	"asyncworkbook/tui/internal/visual"
)

// boundKeys returns every key some screen binds, and what it does there.
func boundKeys() map[string][]string {
	out := map[string][]string{"ctrl+c": {"quit"}}
	for _, km := range []any{home.DefaultKeyMap(), lesson.DefaultKeyMap(), visual.DefaultKeyMap(), exercise.DefaultKeyMap(), finale.DefaultKeyMap(), theme.ScrollKeys()} {
		v := reflect.ValueOf(km)
		for i := range v.NumField() {
			b, ok := v.Field(i).Interface().(bkey.Binding)
			if !ok {
				continue
			}
			for _, k := range b.Keys() {
				out[k] = append(out[k], b.Help().Desc)
			}
		}
	}
	return out
}

// TestReadmeTourMatchesTheKeys: every key the README's tour of the keys
// names in backticks is bound on some screen, and the keys whose meaning
// must be one across screens (d, m; r and h, which once meant restart
// and step back in the visualiser but reset and hint in an exercise; l)
// say the same thing everywhere.
func TestReadmeTourMatchesTheKeys(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "### A tour of the keys")
	end := strings.Index(readme[start:], "Without a terminal")
	if start < 0 || end < 0 {
		t.Fatal("README has no tour of the keys")
	}
	tour := readme[start : start+end]
	bound := boundKeys()
	alias := map[string]string{"−": "-", "1": "1", "9": "9"}
	for _, m := range regexp.MustCompile("`([^`]{1,9})`").FindAllStringSubmatch(tour, -1) {
		for _, k := range strings.Split(m[1], "/") {
			if a, ok := alias[k]; ok {
				k = a
			}
			if len([]rune(k)) > 1 && !strings.Contains(k, "+") {
				continue // a word in backticks, not a key
			}
			if _, ok := bound[k]; !ok {
				t.Errorf("the README's tour names key %q, which no screen binds", k)
			}
		}
	}
	for _, k := range []string{"d", "m", "r", "h", "l", "R", "p", "f"} {
		seen := map[string]bool{}
		for _, d := range bound[k] {
			seen[d] = true
		}
		if len(seen) > 1 {
			t.Errorf("key %s means %v on different screens", k, bound[k])
		}
	}
	if !strings.Contains(tour, "`d` marks the lesson done") {
		t.Error("the tour does not say d marks a lesson done in a lesson")
	}
	if !strings.Contains(tour, "`f` runs the finale") {
		t.Error("the tour does not say f runs the finale in phase 4's last lesson")
	}
}
