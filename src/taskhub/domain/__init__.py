"""The domain: users, the tasks that change them, and the rules both must keep.

Pure Python: nothing here imports a framework, an ORM or a broker.
"""
