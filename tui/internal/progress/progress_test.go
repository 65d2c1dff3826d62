package progress

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingFileIsAFreshStart(t *testing.T) {
	p, notice, err := Load(filepath.Join(t.TempDir(), "progress.json"))
	if err != nil || notice != "" || len(p.Done) != 0 {
		t.Fatalf("Load = %+v, %q, %v; want a fresh start, no notice", p, notice, err)
	}
}

func TestSaveThenLoadRoundTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "progress.json") // folder created
	var p Progress
	p.LastLesson = "p1-wakers"
	p.SetDone("p1-async-runtime", true)
	p.SetExercise("phase1/01-countdown", ExerciseRecord{Status: "passed", HintsShown: 2})
	if err := Save(path, p); err != nil {
		t.Fatal(err)
	}
	got, notice, err := Load(path)
	if err != nil || notice != "" {
		t.Fatalf("Load: %q, %v", notice, err)
	}
	if got.LastLesson != "p1-wakers" || !got.Done["p1-async-runtime"] || !got.Passed("phase1/01-countdown") || got.Exercise("phase1/01-countdown").HintsShown != 2 {
		t.Fatalf("round trip lost data: %+v", got)
	}
}

// TestSaveIsAtomic: Save replaces the file by rename and leaves no
// temporary file behind; a failed save leaves the old file intact.
func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "progress.json")
	if err := Save(path, Progress{LastLesson: "a"}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	if err := Save(path, Progress{LastLesson: "b"}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if os.SameFile(before, after) {
		t.Fatal("Save wrote in place instead of renaming a new file over the old one")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("folder holds %d entries after Save, want only progress.json", len(entries))
	}
	// A save that cannot write (the target is a folder) keeps the old file.
	bad := filepath.Join(dir, "isdir")
	os.Mkdir(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "x"), nil, 0o644)
	if err := Save(bad, Progress{}); err == nil {
		t.Fatal("Save over a non-empty folder succeeded")
	}
	if got, _, _ := Load(path); got.LastLesson != "b" {
		t.Fatalf("old file damaged: %+v", got)
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("a failed Save left a temporary file: %d entries", len(entries))
	}
}

func TestDamagedFileIsReportedAndRebuilt(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":      `{"version":1,"done":{"p1-`,
		"not json":       "\x00\x01garbage",
		"future version": `{"version":99}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "progress.json")
			os.WriteFile(path, []byte(content), 0o644)
			p, notice, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(notice, "progress file was damaged") || !strings.Contains(notice, "started fresh — old copy kept at "+path+".damaged") {
				t.Fatalf("notice = %q", notice)
			}
			if len(p.Done) != 0 || p.Version != version {
				t.Fatalf("not a fresh start: %+v", p)
			}
			if kept, _ := os.ReadFile(path + ".damaged"); string(kept) != content {
				t.Fatalf("old copy = %q, want the damaged content", kept)
			}
			// Rebuilt: the next save and load work.
			p.SetDone("x", true)
			if err := Save(path, p); err != nil {
				t.Fatal(err)
			}
			if again, notice, _ := Load(path); notice != "" || !again.Done["x"] {
				t.Fatalf("after rebuild: %+v %q", again, notice)
			}
		})
	}
}

func TestEnvOverridesPath(t *testing.T) {
	t.Setenv(EnvPath, "/tmp/elsewhere.json")
	if got := DefaultPath("/root"); got != "/tmp/elsewhere.json" {
		t.Fatalf("DefaultPath = %q", got)
	}
	t.Setenv(EnvPath, "")
	if got := DefaultPath("/root"); got != filepath.Join("/root", ".workbook", "progress.json") {
		t.Fatalf("DefaultPath = %q", got)
	}
}
