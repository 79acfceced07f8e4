"""The webhook service: verify, de-duplicate, enqueue, answer. No GitHub API call happens here.

    app        the FastAPI app: the webhook endpoint, health, readiness and metrics
    signature  X-Hub-Signature-256 over the raw body
    events     which deliveries ask for which job, from the payload alone
"""
