"""The worker: takes jobs from the queue and runs them; GitHub is called from here only.

    loop          the job loop: claim, heartbeat, one review of a pull request at a time, give up visibly
    pull_request  one pull request review, from job to completed check run
    merge_group   a merge queue's group: its check run, from a review of base_sha...head_sha
    reuse         a review's result kept by its content, reused by a merge group with the same
    redeliver     send again the webhook deliveries that failed (a command, and periodically in the worker)
"""
