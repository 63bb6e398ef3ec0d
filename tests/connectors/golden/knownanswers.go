// Known answers for Schakel's log formats (connectors/tlog.py), made and checked with the Go team's
// golang.org/x/mod/sumdb/note and sumdb/tlog, an implementation independent of Schakel's.
//
//	go run knownanswers.go make  > go-made.json         what Go makes: roots, proofs and a signed checkpoint
//	go run knownanswers.go check < schakel-made.json    Go checks what Schakel made; exits 1 if any does not hold
//
// On Debian: apt-get install golang-go golang-golang-x-mod-dev, then run with GO111MODULE=off
// GOPATH=/usr/share/gocode (tests/connectors/test_go_known_answers.py does). Every input is invented and fixed, so
// each run gives the same bytes (Ed25519 signatures are deterministic).
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const (
	origin = "golden.schakel.example/verstrekkingenlog"
	leaves = 13
)

type inclusion struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Proof []string `json:"proof"`
}

type consistency struct {
	Old   int64    `json:"old"`
	New   int64    `json:"new"`
	Proof []string `json:"proof"`
}

type answers struct {
	Made        string        `json:"made"`
	Leaves      []string      `json:"leaves"`
	Roots       []string      `json:"roots"`
	Inclusion   []inclusion   `json:"inclusion"`
	Consistency []consistency `json:"consistency"`
	VerifierKey string        `json:"verifierKey"`
	Note        string        `json:"note"`
}

type store []tlog.Hash

func (s store) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, index := range indexes {
		out[i] = s[index]
	}
	return out, nil
}

func entry(i int) []byte { return []byte(fmt.Sprintf(`{"positie":%d,"soort":"verstrekking"}`, i)) }

func hexes(hashes []tlog.Hash) []string {
	out := make([]string, len(hashes))
	for i, h := range hashes {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}

func make_() answers {
	var s store
	a := answers{Made: "golang.org/x/mod/sumdb"}
	for i := 0; i < leaves; i++ {
		stored, err := tlog.StoredHashes(int64(i), entry(i), s)
		must(err)
		s = append(s, stored...)
		a.Leaves = append(a.Leaves, hex.EncodeToString(entry(i)))
	}
	empty := sha256.Sum256(nil) // MTH({}) of RFC 9162; tlog itself never names the root of the empty tree
	a.Roots = append(a.Roots, hex.EncodeToString(empty[:]))
	for size := int64(1); size <= leaves; size++ {
		root, err := tlog.TreeHash(size, s)
		must(err)
		a.Roots = append(a.Roots, hex.EncodeToString(root[:]))
		for index := int64(0); index < size; index++ {
			proof, err := tlog.ProveRecord(size, index, s)
			must(err)
			a.Inclusion = append(a.Inclusion, inclusion{index, size, hexes(proof)})
		}
		for old := int64(1); old < size; old++ {
			proof, err := tlog.ProveTree(size, old, s)
			must(err)
			a.Consistency = append(a.Consistency, consistency{old, size, hexes(proof)})
		}
	}
	seed := bytes.Repeat([]byte{0x5c}, ed25519.SeedSize) // invented: a fixed key, so the signature is fixed too
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed), origin)
	must(err)
	signer, err := note.NewSigner(skey)
	must(err)
	root, err := tlog.TreeHash(leaves, s)
	must(err)
	text := fmt.Sprintf("%s\n%d\n%s\n", origin, leaves, root.String())
	signed, err := note.Sign(&note.Note{Text: text}, signer)
	must(err)
	a.VerifierKey, a.Note = vkey, string(signed)
	return a
}

func check(a answers) error {
	hash := func(s string) tlog.Hash {
		var h tlog.Hash
		raw, err := hex.DecodeString(s)
		must(err)
		copy(h[:], raw)
		return h
	}
	proof := func(hashes []string) []tlog.Hash {
		out := make([]tlog.Hash, len(hashes))
		for i, h := range hashes {
			out[i] = hash(h)
		}
		return out
	}
	for _, p := range a.Inclusion {
		raw, err := hex.DecodeString(a.Leaves[p.Index])
		must(err)
		if err := tlog.CheckRecord(proof(p.Proof), p.Size, hash(a.Roots[p.Size]), p.Index, tlog.RecordHash(raw)); err != nil {
			return fmt.Errorf("inclusion of %d in %d: %w", p.Index, p.Size, err)
		}
	}
	for _, p := range a.Consistency {
		if err := tlog.CheckTree(proof(p.Proof), p.New, hash(a.Roots[p.New]), p.Old, hash(a.Roots[p.Old])); err != nil {
			return fmt.Errorf("consistency of %d with %d: %w", p.Old, p.New, err)
		}
	}
	verifier, err := note.NewVerifier(a.VerifierKey)
	if err != nil {
		return fmt.Errorf("verifier key: %w", err)
	}
	opened, err := note.Open([]byte(a.Note), note.VerifierList(verifier))
	if err != nil {
		return fmt.Errorf("note: %w", err)
	}
	if len(opened.Sigs) != 1 || opened.Sigs[0].Name != verifier.Name() {
		return fmt.Errorf("note: not signed by %s", verifier.Name())
	}
	fmt.Printf("go accepts: %d inclusion proofs, %d consistency proofs, the signed checkpoint of %s\n",
		len(a.Inclusion), len(a.Consistency), verifier.Name())
	return nil
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: knownanswers make|check")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "make":
		out := json.NewEncoder(os.Stdout)
		out.SetIndent("", " ")
		must(out.Encode(make_()))
	case "check":
		var a answers
		must(json.NewDecoder(os.Stdin).Decode(&a))
		if err := check(a); err != nil {
			fmt.Fprintln(os.Stderr, "go refuses:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: knownanswers make|check")
		os.Exit(2)
	}
}
