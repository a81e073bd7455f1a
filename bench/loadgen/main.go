// Command loadgen replays pre-signed HTTP requests against one loopback URL, closed or open loop,
// so that the load generator's own CPU stays small beside the services it measures.
//
// Input (stdin, JSON): the plan with every request's headers and body. Output (stdout, JSON): one
// result per request sent, with its status, when it was sent and answered, and (optionally) the body.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

type request struct {
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

type plan struct {
	URL         string    `json:"url"`
	Mode        string    `json:"mode"`          // "closed": Concurrency clients back to back; "open": Rate per second
	Concurrency int       `json:"concurrency"`   // closed loop
	DurationS   float64   `json:"duration_s"`    // closed loop: stop starting requests after this long
	Rate        float64   `json:"rate"`          // open loop: request i is sent at start + i/Rate
	MaxInFlight int       `json:"max_in_flight"` // open loop
	TimeoutS    float64   `json:"timeout_s"`
	KeepBody    bool      `json:"keep_body"`
	Requests    []request `json:"requests"`
}

type result struct {
	I       int     `json:"i"`
	Status  int     `json:"status"`
	Error   string  `json:"error,omitempty"`
	SentAt  float64 `json:"sent_at"` // Unix seconds
	DoneAt  float64 `json:"done_at"`
	Latency float64 `json:"latency_s"`
	Body    string  `json:"body,omitempty"`
}

type output struct {
	ElapsedS float64  `json:"elapsed_s"`
	Results  []result `json:"results"`
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	ip := net.ParseIP(u.Hostname())
	if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("loadgen only targets loopback, not %q", u.Hostname())
	}
	return nil
}

func send(client *http.Client, p *plan, i int) result {
	r := p.Requests[i]
	req, err := http.NewRequest(http.MethodPost, p.URL, bytes.NewBufferString(r.Body))
	if err != nil {
		return result{I: i, Error: err.Error()}
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		done := time.Now()
		return result{I: i, Error: err.Error(), SentAt: unix(start), DoneAt: unix(done), Latency: done.Sub(start).Seconds()}
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	done := time.Now()
	out := result{I: i, Status: resp.StatusCode, SentAt: unix(start), DoneAt: unix(done), Latency: done.Sub(start).Seconds()}
	if err != nil {
		out.Error = err.Error()
	}
	if p.KeepBody {
		out.Body = string(body)
	}
	return out
}

func run(p *plan) output {
	connections := p.Concurrency
	if p.Mode == "open" {
		connections = p.MaxInFlight
	}
	transport := &http.Transport{MaxIdleConns: connections, MaxIdleConnsPerHost: connections, MaxConnsPerHost: connections}
	client := &http.Client{Transport: transport, Timeout: time.Duration(p.TimeoutS * float64(time.Second))}
	results := make([]result, 0, len(p.Requests))
	var mu sync.Mutex
	var wg sync.WaitGroup
	keep := func(r result) {
		mu.Lock()
		results = append(results, r)
		mu.Unlock()
	}
	start := time.Now()
	if p.Mode == "open" {
		gate := make(chan struct{}, p.MaxInFlight)
		for i := range p.Requests {
			if wait := time.Until(start.Add(time.Duration(float64(i) / p.Rate * float64(time.Second)))); wait > 0 {
				time.Sleep(wait)
			}
			gate <- struct{}{}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				keep(send(client, p, i))
				<-gate
			}(i)
		}
	} else {
		deadline := start.Add(time.Duration(p.DurationS * float64(time.Second)))
		next := make(chan int)
		go func() {
			for i := range p.Requests {
				if time.Now().After(deadline) {
					break
				}
				next <- i
			}
			close(next)
		}()
		for c := 0; c < p.Concurrency; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					keep(send(client, p, i))
				}
			}()
		}
	}
	wg.Wait()
	return output{ElapsedS: time.Since(start).Seconds(), Results: results}
}

func main() {
	var p plan
	if err := json.NewDecoder(os.Stdin).Decode(&p); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: bad plan:", err)
		os.Exit(2)
	}
	if err := loopbackOnly(p.URL); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	if p.TimeoutS <= 0 {
		p.TimeoutS = 30
	}
	if err := json.NewEncoder(os.Stdout).Encode(run(&p)); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}
