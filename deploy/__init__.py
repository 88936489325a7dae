"""What a deployment needs beyond the site's code: the nginx cache in front of gunicorn, the script that starts that
arrangement on this machine (run-local) and the benchmark that measures it (bench.py)."""
