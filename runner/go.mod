module periodic.dev/runner

go 1.26.0

require (
	github.com/prometheus/client_golang v1.23.2 // indirect
	github.com/robfig/cron/v3 v3.0.1 // indirect
)
