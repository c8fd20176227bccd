package linkage

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// RunCLI runs "ura match": args are what follows "match" on the command
// line. Errors are one line and never contain a value from the input
// files; the secret file's content is never printed.
func RunCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, cliUsage)
		return errors.New("match: a subcommand is required (dedup, encode, link)")
	}
	switch args[0] {
	case "dedup":
		return runDedup(ctx, args[1:], stdin, stdout, stderr)
	case "encode":
		return runEncode(ctx, args[1:], stdin, stdout, stderr)
	case "link":
		return runLink(ctx, args[1:], stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, cliUsage)
		return nil
	}
	return fmt.Errorf("match: unknown subcommand %q (want dedup, encode or link)", args[0])
}

const cliUsage = `usage:
  ura match dedup  --in PERSONS.csv --out PAIRS.csv [--threshold 0.9] [--strict] [--no-closure]
  ura match encode --schema SCHEMA.json --secret-file SECRET --in PERSONS.csv --out CLKS.json [--normalize=true]
  ura match link   --a A.json --b B.json --out PAIRS.csv [--threshold 0.8 for single CLKs, 0.9 for field filters]
Use - for standard input or output.`

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("match "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// thresholdFlag parses a threshold strictly: a typo must not silently
// become 0 and report every candidate pair as the same person.
type thresholdFlag struct {
	v   float64
	set bool
}

func (t *thresholdFlag) String() string { return strconv.FormatFloat(t.v, 'g', -1, 64) }
func (t *thresholdFlag) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 1 {
		return errors.New("must be a number in (0, 1]")
	}
	t.v, t.set = v, true
	return nil
}

func runDedup(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("dedup", stderr)
	in := fs.String("in", "", "persons CSV (id, given_name, family_name, birth_date, sex, citizenship, extra columns)")
	out := fs.String("out", "", "pairs CSV to write (id_a,id_b,score)")
	var thr thresholdFlag
	thr.v = DefaultThreshold
	fs.Var(&thr, "threshold", "minimum match probability")
	noClosure := fs.Bool("no-closure", false, "report only pairs similar on their own, without completing clusters")
	strict := fs.Bool("strict", false, "refuse the file on the first value not valid for its column, instead of treating it as missing")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("match dedup: %w", err)
	}
	if *in == "" || *out == "" {
		return errors.New("match dedup: --in and --out are required")
	}
	r, closeIn, err := openInput(*in, stdin)
	if err != nil {
		return fmt.Errorf("match dedup: %w", err)
	}
	defer closeIn()
	recs, err := ReadRecordsWith(r, ReadOptions{Strict: *strict, Warn: func(e *InputError) {
		fmt.Fprintf(stderr, "match dedup: %s: %v\n", *in, e)
	}})
	if err != nil {
		return fmt.Errorf("match dedup: %s: %w", *in, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	pairs := Dedup(recs, Options{Threshold: thr.v, NoClosure: *noClosure, Warn: func(msg string) {
		fmt.Fprintln(stderr, "match dedup: "+msg)
	}})
	var buf bytes.Buffer
	if err := WritePairs(&buf, pairs); err != nil {
		return fmt.Errorf("match dedup: %w", err)
	}
	return writeOutput(*out, stdout, buf.Bytes())
}

func runEncode(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("encode", stderr)
	schemaPath := fs.String("schema", "", "clkhash linkage schema (v2 or v3) JSON")
	secretPath := fs.String("secret-file", "", "file holding the secret shared with the other party")
	in := fs.String("in", "", "persons CSV whose columns are named as the schema's features")
	out := fs.String("out", "", "CLK JSON to write")
	normalize := fs.Bool("normalize", true, "normalise string features (scripts, diacritics) before hashing; false gives clkhash's bytes")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("match encode: %w", err)
	}
	if *schemaPath == "" || *secretPath == "" || *in == "" || *out == "" {
		return errors.New("match encode: --schema, --secret-file, --in and --out are required")
	}
	sdata, err := os.ReadFile(*schemaPath)
	if err != nil {
		return fmt.Errorf("match encode: cannot read schema: %w", err)
	}
	schema, err := ParseSchema(sdata)
	if err != nil {
		return fmt.Errorf("match encode: %w", err)
	}
	secret, err := os.ReadFile(*secretPath)
	if err != nil {
		return errors.New("match encode: cannot read the secret file")
	}
	// A trailing newline from an editor is not part of the secret.
	secret = []byte(strings.TrimRight(string(secret), "\r\n"))
	enc, err := NewEncoder(schema, secret)
	if err != nil {
		return fmt.Errorf("match encode: %w", err)
	}
	enc.NormalizeText = *normalize
	r, closeIn, err := openInput(*in, stdin)
	if err != nil {
		return fmt.Errorf("match encode: %w", err)
	}
	defer closeIn()
	if err := ctx.Err(); err != nil {
		return err
	}
	clks, err := EncodeCSV(r, enc)
	if err != nil {
		return fmt.Errorf("match encode: %s: %w", *in, err)
	}
	set := CLKSet{CLKs: clks}
	if schema.FieldFilters {
		set.Fields, set.FieldBits = schema.ActiveFeatures(), schema.L
	}
	var buf bytes.Buffer
	if err := WriteCLKSet(&buf, set); err != nil {
		return fmt.Errorf("match encode: %w", err)
	}
	return writeOutput(*out, stdout, buf.Bytes())
}

func runLink(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("link", stderr)
	a := fs.String("a", "", "CLK JSON of the first party")
	b := fs.String("b", "", "CLK JSON of the second party")
	out := fs.String("out", "", "pairs CSV to write (id_a,id_b,score)")
	var thr thresholdFlag
	thr.v = DefaultLinkThreshold
	fs.Var(&thr, "threshold", "minimum Dice coefficient (single CLKs, default 0.8) or match probability (field filters, default 0.9)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("match link: %w", err)
	}
	if *a == "" || *b == "" || *out == "" {
		return errors.New("match link: --a, --b and --out are required")
	}
	load := func(path string) (CLKSet, error) {
		r, closeIn, err := openInput(path, stdin)
		if err != nil {
			return CLKSet{}, err
		}
		defer closeIn()
		set, err := ReadCLKSet(r)
		if err != nil {
			return CLKSet{}, fmt.Errorf("%s: %w", path, err)
		}
		return set, nil
	}
	sa, err := load(*a)
	if err != nil {
		return fmt.Errorf("match link: %w", err)
	}
	sb, err := load(*b)
	if err != nil {
		return fmt.Errorf("match link: %w", err)
	}
	ca, cb := sa.CLKs, sb.CLKs
	if len(ca) > 0 && len(cb) > 0 && len(ca[0].Bits) != len(cb[0].Bits) {
		return errors.New("match link: the two files hold CLKs of different lengths (different schemas?)")
	}
	if strings.Join(sa.Fields, ",") != strings.Join(sb.Fields, ",") || sa.FieldBits != sb.FieldBits {
		return errors.New("match link: the two files were encoded with different schemas (their field filters differ)")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var ms []Match
	if sa.Fields != nil {
		t := DefaultFieldLinkThreshold
		if thr.set {
			t = thr.v
		}
		ms = LinkFields(ca, cb, sa.Fields, (sa.FieldBits+7)/8, t, func(msg string) { fmt.Fprintln(stderr, "match link: "+msg) })
	} else {
		ms = Link(ca, cb, thr.v)
	}
	pairs := make([]Pair, len(ms))
	for i, m := range ms {
		pairs[i] = Pair{A: m.A, B: m.B, Score: m.Score}
	}
	var buf bytes.Buffer
	if err := WritePairs(&buf, pairs); err != nil {
		return fmt.Errorf("match link: %w", err)
	}
	return writeOutput(*out, stdout, buf.Bytes())
}

// openInput opens an input file (or standard input for "-") for
// streaming: the readers bound each line, so a huge file is refused on its
// first overlong line rather than read into memory whole.
func openInput(path string, stdin io.Reader) (io.Reader, func(), error) {
	if path == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	}
	return f, func() { f.Close() }, nil
}

// writeOutput writes the whole result at once, so that a failed run does
// not leave half a pairs file behind.
func writeOutput(path string, stdout io.Writer, data []byte) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
