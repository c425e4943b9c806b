"""Well-known ports of administration interfaces and data stores: the compose rules (C…) and
the image rules (I…) report them when a service publishes or an image exposes them."""

from __future__ import annotations

#: container ports of services that must not face the network unauthenticated
ADMIN_PORTS: dict[int, str] = {
    22: "SSH", 2375: "Docker API (plain)", 2376: "Docker API", 2379: "etcd", 2380: "etcd peer",
    3306: "MySQL/MariaDB", 5432: "PostgreSQL", 1433: "SQL Server", 1521: "Oracle Database",
    6379: "Redis", 11211: "Memcached", 27017: "MongoDB", 27018: "MongoDB", 9200: "Elasticsearch",
    9300: "Elasticsearch transport", 5601: "Kibana", 5984: "CouchDB", 8086: "InfluxDB",
    9042: "Cassandra", 7199: "Cassandra JMX", 15672: "RabbitMQ management", 9092: "Kafka",
    2181: "ZooKeeper", 8500: "Consul", 4369: "Erlang port mapper", 8529: "ArangoDB",
    7474: "Neo4j", 7687: "Neo4j Bolt", 8983: "Solr", 6443: "Kubernetes API",
    10250: "kubelet", 3389: "RDP", 5900: "VNC", 9000: "Portainer/MinIO admin",
}  # fmt: skip
