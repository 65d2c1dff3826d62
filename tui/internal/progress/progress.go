// Package progress keeps the learner's progress in one small JSON file,
// <module root>/.workbook/progress.json (WORKBOOK_PROGRESS overrides the
// path).
//
// The file is written atomically: to a temporary file in the same
// folder, synced, then renamed over the old one, so a crash mid-write
// leaves the old file or the new one, never half of each. A file that
// cannot be read as progress (damaged, or from an unknown future
// version) is never fatal: it is moved aside, a fresh record is started,
// and Load says so in a notice the UI shows.
package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// EnvPath names the environment variable that overrides the file's path.
const EnvPath = "WORKBOOK_PROGRESS"

// version is the file format's version.
const version = 1

// Progress is what the workbook remembers. The zero value is a fresh
// start (maps are made on first use).
type Progress struct {
	Version    int                       `json:"version"`
	LastLesson string                    `json:"last_lesson,omitempty"`
	Done       map[string]bool           `json:"done,omitempty"`      // lesson id → marked done
	Exercises  map[string]ExerciseRecord `json:"exercises,omitempty"` // exercise id → record
}

// ExerciseRecord is what is remembered about one exercise.
type ExerciseRecord struct {
	Status       string    `json:"status,omitempty"` // the last check: "passed", "failed"...
	Checked      time.Time `json:"checked,omitempty"`
	HintsShown   int       `json:"hints_shown,omitempty"`
	SolutionSeen bool      `json:"solution_seen,omitempty"`
}

// Passed reports whether exercise id's last check passed.
func (p *Progress) Passed(id string) bool { return p.Exercises[id].Status == "passed" }

// SetDone marks lesson id done or not.
func (p *Progress) SetDone(id string, done bool) {
	if p.Done == nil {
		p.Done = map[string]bool{}
	}
	if done {
		p.Done[id] = true
	} else {
		delete(p.Done, id)
	}
}

// Exercise returns the record for id, for changing with SetExercise.
func (p *Progress) Exercise(id string) ExerciseRecord { return p.Exercises[id] }

// SetExercise stores the record for id.
func (p *Progress) SetExercise(id string, r ExerciseRecord) {
	if p.Exercises == nil {
		p.Exercises = map[string]ExerciseRecord{}
	}
	p.Exercises[id] = r
}

// DefaultPath returns the progress file's path for the module at root,
// or the value of WORKBOOK_PROGRESS when set.
func DefaultPath(root string) string {
	if p := os.Getenv(EnvPath); p != "" {
		return p
	}
	return filepath.Join(root, ".workbook", "progress.json")
}

// Load reads the progress file at path. A missing file is a fresh start.
// A damaged file is moved aside to path+".damaged" and a fresh start is
// returned with a notice saying so; the error is only for a damaged file
// that could not be moved aside either (the fresh start is still usable).
func Load(path string) (p Progress, notice string, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Progress{Version: version}, "", nil
	}
	if err == nil {
		err = json.Unmarshal(b, &p)
		if err == nil && (p.Version < 1 || p.Version > version) {
			err = fmt.Errorf("unknown version %d", p.Version)
		}
		if err == nil {
			return p, "", nil
		}
	}
	aside := path + ".damaged"
	if rerr := os.Rename(path, aside); rerr != nil {
		return Progress{Version: version},
			fmt.Sprintf("progress file was damaged (%v); started fresh", err),
			fmt.Errorf("progress: moving the damaged file aside: %w", rerr)
	}
	return Progress{Version: version},
		fmt.Sprintf("progress file was damaged (%v); started fresh — old copy kept at %s", err, aside), nil
}

// Save writes p to path atomically, creating the folder if needed.
func Save(path string, p Progress) error {
	p.Version = version
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	f, err := os.CreateTemp(dir, ".progress-*.tmp")
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	if _, err = f.Write(append(b, '\n')); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("progress: writing %s: %w", path, err)
	}
	return nil
}
