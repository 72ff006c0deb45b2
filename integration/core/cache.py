"""Django's Redis cache, keeping one redis-py client per connection pool.

Django builds a new ``redis.Redis`` object for every cache call, and redis-py's
constructor is not cheap (about 0.2 ms); sessions and permission sets make three
such calls on every page. A client is thread-safe and holds no connection of its
own (the pool does), so one per pool is enough.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
