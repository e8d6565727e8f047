package data

import (
	"strings"
	"testing"
)

func TestKeyNameProblems(t *testing.T) {
	tests := []struct {
		name string
		want []string // substrings, one per expected problem, in order
	}{
		{"ci-deploy-key", nil},
		{"ABCDEFGHIJ", nil},
		{"0123456789", nil},
		{"a_b-c_d-e_", nil},
		{strings.Repeat("x", 50), nil},
		{"", []string{"Enter a key name of 10 to 50 characters"}},
		{"short", []string{"at least 10 characters (this name has 5)"}},
		{"123456789", []string{"at least 10 characters (this name has 9)"}},
		{strings.Repeat("x", 51), []string{"at most 50 characters (this name has 51)"}},
		{"has a space in it", []string{"Remove the spaces"}},
		{" leading-space", []string{"Remove the spaces"}},
		{"tab\tseparated", []string{"Remove the spaces"}},
		{"dots.are.not.ok", []string{`not '.'`}},
		{"café-key-name", []string{`not 'é'`}},
		{"naïve key", []string{"at least 10", "Remove the spaces", `not 'ï'`}},
		{"a/b\\c:d@e!f", []string{`not '/', '\\', ':', '@', '!'`}},
		{"repeated...dots", []string{`not '.')`}},
		{"bad-utf8-\xff-name", []string{"byte 0xff"}},
		{"名前名前名前名前名前", []string{`not '名'`}},
		{strings.Repeat("é", 60), []string{"at most 50 characters (this name has 60)", `not 'é'`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KeyNameProblems(tt.name)
			if len(got) != len(tt.want) {
				t.Fatalf("KeyNameProblems(%q) = %q, want %d problems like %q", tt.name, got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
			err := ValidateKeyName(tt.name)
			if (err == nil) != (tt.want == nil) {
				t.Fatalf("ValidateKeyName(%q) = %v", tt.name, err)
			}
			if err != nil {
				wantCode(t, err, EInvalid)
				for _, p := range got {
					if !strings.Contains(err.Error(), p) {
						t.Errorf("error %q does not name problem %q", err, p)
					}
				}
			}
		})
	}
}

func FuzzKeyName(f *testing.F) {
	for _, s := range []string{"ci-deploy-key", "", "short", "has a space", "café-key-name", "\xff\xfe", strings.Repeat("a", 51)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		problems := KeyNameProblems(name)
		valid := len(name) >= KeyNameMinLen && len(name) <= KeyNameMaxLen
		for i := 0; i < len(name); i++ {
			if !isKeyNameChar(rune(name[i])) {
				valid = false
			}
		}
		if valid != (problems == nil) {
			t.Fatalf("KeyNameProblems(%q) = %q, but validity by definition is %v", name, problems, valid)
		}
		for _, p := range problems {
			if p == "" || !strings.HasSuffix(p, ".") {
				t.Fatalf("problem %q is not a sentence", p)
			}
		}
		if err := ValidateKeyName(name); (err == nil) != valid {
			t.Fatalf("ValidateKeyName(%q) = %v, want valid=%v", name, err, valid)
		}
	})
}
