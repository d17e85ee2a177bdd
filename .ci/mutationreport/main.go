// Command mutationreport summarises gremlins JSON reports for .ci/mutation:
// per file the mutants killed, lived, not covered, timed out and not viable,
// the kill rate over all files of all reports given, and every survivor
// with its source line. It exits 1 when -enforce is set and the kill rate
// is below -threshold.
//
// With -split "dir=out.json,..." it instead writes, for each folder, a
// report holding only the files directly in that folder (the per-package
// results .ci/mutation caches).
//
// Kill rate = (killed + timed out) / (killed + timed out + lived + not covered):
// a mutant no test runs is as much a survivor as one every test passes on.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

type report struct {
	Files []file `json:"files"`
}

type file struct {
	Name      string     `json:"file_name"`
	Mutations []mutation `json:"mutations"`
}

type mutation struct {
	Type   string `json:"type"`
	Status string `json:"status"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type counts struct{ killed, lived, notCovered, timedOut, notViable int }

func (c *counts) add(status string) {
	switch status {
	case "KILLED":
		c.killed++
	case "LIVED":
		c.lived++
	case "NOT COVERED":
		c.notCovered++
	case "TIMED OUT":
		c.timedOut++
	case "NOT VIABLE":
		c.notViable++
	}
}

func (c counts) detected() int { return c.killed + c.timedOut }
func (c counts) viable() int   { return c.killed + c.timedOut + c.lived + c.notCovered }

// rate is the kill rate in percent; 100 when there is nothing to kill.
func (c counts) rate() float64 {
	if c.viable() == 0 {
		return 100
	}
	return 100 * float64(c.detected()) / float64(c.viable())
}

func main() {
	threshold := flag.Float64("threshold", 90, "minimum kill rate in percent")
	enforce := flag.Bool("enforce", true, "exit 1 below the threshold")
	elapsed := flag.String("elapsed", "", "run time to print")
	split := flag.String("split", "", "write per-folder reports: dir=out.json,... (one input)")
	flag.Parse()
	if flag.NArg() < 1 || (*split != "" && flag.NArg() != 1) {
		fmt.Fprintln(os.Stderr, "usage: mutationreport [flags] gremlins.json...\n       mutationreport -split dir=out.json,... gremlins.json")
		os.Exit(2)
	}
	var r report
	for _, name := range flag.Args() {
		one, err := readReport(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mutationreport:", err)
			os.Exit(2)
		}
		r.Files = append(r.Files, one.Files...)
	}
	if *split != "" {
		if err := splitByFolder(r, *split); err != nil {
			fmt.Fprintln(os.Stderr, "mutationreport:", err)
			os.Exit(2)
		}
		return
	}
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Name < r.Files[j].Name })

	var total counts
	var survivors, timeouts []string
	fmt.Printf("%-34s %6s %5s %11s %9s %10s %9s\n", "file", "killed", "lived", "not covered", "timed out", "not viable", "kill rate")
	for _, f := range r.Files {
		var c counts
		ms := f.Mutations
		sort.Slice(ms, func(i, j int) bool {
			if ms[i].Line != ms[j].Line {
				return ms[i].Line < ms[j].Line
			}
			return ms[i].Column < ms[j].Column
		})
		lines := sourceLines(f.Name)
		for _, m := range ms {
			c.add(m.Status)
			total.add(m.Status)
			if m.Status == "LIVED" || m.Status == "NOT COVERED" {
				survivors = append(survivors, fmt.Sprintf("  %s:%d:%d %s %s\t%s",
					f.Name, m.Line, m.Column, m.Type, m.Status, lineAt(lines, m.Line)))
			}
			if m.Status == "TIMED OUT" {
				timeouts = append(timeouts, fmt.Sprintf("  %s:%d:%d %s\t%s",
					f.Name, m.Line, m.Column, m.Type, lineAt(lines, m.Line)))
			}
		}
		fmt.Printf("%-34s %6d %5d %11d %9d %10d %8.1f%%\n", f.Name, c.killed, c.lived, c.notCovered, c.timedOut, c.notViable, c.rate())
	}
	fmt.Printf("%-34s %6d %5d %11d %9d %10d %8.1f%%\n", "TOTAL", total.killed, total.lived, total.notCovered, total.timedOut, total.notViable, total.rate())
	if k := total.killed + total.lived; k > 0 {
		fmt.Printf("gremlins efficacy (killed / (killed + lived)): %.1f%%\n", 100*float64(total.killed)/float64(k))
	}
	if *elapsed != "" {
		fmt.Println("run time:", *elapsed)
	}
	if len(survivors) > 0 {
		fmt.Printf("\nsurvivors (%d):\n%s\n", len(survivors), strings.Join(survivors, "\n"))
	}
	if len(timeouts) > 0 {
		fmt.Printf("\ntimed out, counted as detected (%d): each should be a mutant that hangs a test; if not, raise TIMEOUT_COEFFICIENT in .ci/mutation\n%s\n",
			len(timeouts), strings.Join(timeouts, "\n"))
	}
	switch {
	case total.rate() >= *threshold:
		fmt.Printf("\nkill rate %.1f%% >= %.0f%%: ok\n", total.rate(), *threshold)
	case *enforce:
		fmt.Printf("\nkill rate %.1f%% is below %.0f%%: add tests that kill the survivors above\n", total.rate(), *threshold)
		os.Exit(1)
	default:
		fmt.Printf("\nkill rate %.1f%% is below %.0f%% (not enforced: PAYKIT_MUTATION_ENFORCE=0)\n", total.rate(), *threshold)
	}
}

func readReport(name string) (report, error) {
	var r report
	data, err := os.ReadFile(name)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("gremlins report %s: %w", name, err)
	}
	return r, nil
}

// splitByFolder writes, for each "dir=out" of spec, the files of r that
// are directly in dir ("." for the module root) to out.
func splitByFolder(r report, spec string) error {
	for _, item := range strings.Split(spec, ",") {
		dir, out, ok := strings.Cut(item, "=")
		if !ok || out == "" {
			return fmt.Errorf("-split: %q is not dir=out.json", item)
		}
		part := report{Files: []file{}}
		for _, f := range r.Files {
			if path.Dir(f.Name) == path.Clean(dir) {
				part.Files = append(part.Files, f)
			}
		}
		data, err := json.Marshal(part)
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// sourceLines reads a file to quote survivors' lines; nil when unreadable.
func sourceLines(name string) []string {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	return lines
}

func lineAt(lines []string, n int) string {
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}
