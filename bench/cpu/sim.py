"""Twin of sim.inko: the same bodies, forces and checksum, written as Python
would be: a base class with the trait's default methods, three subclasses,
and the forces as closures the world stores and calls."""

import sys

TRACK = 1000
CENTER = 500
MAX_SPEED = 40
BODIES = 60


def clamp(speed):
    if speed > MAX_SPEED:
        return MAX_SPEED
    if speed < -MAX_SPEED:
        return -MAX_SPEED
    return speed


class Body:
    """The trait: subclasses provide name, position, velocity, mass, advance
    and push; momentum, energy and describe are defaults."""

    def momentum(self):
        return self.velocity * self.mass

    def energy(self):
        return self.velocity * self.velocity * self.mass // 2

    def describe(self):
        return f"{self.name} at {self.position} moving {self.velocity}"


class Particle(Body):
    def __init__(self, name, position, velocity, mass):
        self.name = name
        self.position = position
        self.velocity = velocity
        self.mass = mass

    def advance(self):
        self.position = (self.position + self.velocity) % TRACK

    def push(self, delta):
        self.velocity = clamp(self.velocity + delta)


class Bouncer(Body):
    def __init__(self, name, position, velocity, mass):
        self.name = name
        self.position = position
        self.velocity = velocity
        self.mass = mass
        self.bounces = 0

    def advance(self):
        following = self.position + self.velocity
        if following < 0:
            self.position = -following
            self.velocity = -self.velocity
            self.bounces += 1
        elif following >= TRACK:
            self.position = TRACK - 1 - (following - (TRACK - 1))
            self.velocity = -self.velocity
            self.bounces += 1
        else:
            self.position = following

    def push(self, delta):
        self.velocity = clamp(self.velocity + delta)

    def energy(self):
        return self.velocity * self.velocity * self.mass // 2 + self.bounces


class Orbiter(Body):
    def __init__(self, name, position, mass, rule):
        self.name = name
        self.position = position
        self.velocity = 0
        self.mass = mass
        self.rule = rule

    def advance(self):
        self.velocity = clamp(self.velocity + self.rule(self.position))
        self.position = (self.position + self.velocity) % TRACK

    def push(self, delta):
        self.velocity = clamp(self.velocity + delta)


class Random:
    def __init__(self, seed):
        self.state = seed

    def below(self, limit):
        self.state = (self.state * 1103515245 + 12345) % 2147483648
        return (self.state // 65536) % limit


class World:
    def __init__(self):
        self.bodies = []
        self.forces = []
        self.tick = 0

    def add(self, body):
        self.bodies.append(body)
        return body

    def force(self, block):
        self.forces.append(block)
        return block

    def step(self):
        self.tick += 1
        for body in self.bodies:
            body.advance()
        for force in self.forces:
            for body in self.bodies:
                force(body, self.tick)

    def energy(self):
        return sum(map(lambda body: body.energy(), self.bodies))


def orbit_rule(pull):
    return lambda at: (CENTER - at) // pull


def main(ticks):
    random = Random(7)
    world = World()
    for index in range(BODIES):
        name = f"b{index}"
        position = random.below(TRACK)
        mass = 1 + random.below(9)
        if index % 3 == 0:
            world.add(Particle(name, position, random.below(31) - 15, mass))
        elif index % 3 == 1:
            world.add(Bouncer(name, position, random.below(21) - 10, mass))
        else:
            pull = 8 + random.below(8)
            world.add(Orbiter(name, position, mass, orbit_rule(pull)))

    in_zone = 0

    @world.force
    def drag(body, tick):
        if tick % 7 == 0:
            body.push(-(body.velocity // 4))

    @world.force
    def gust(body, _tick):
        body.push(random.below(5) - 2)

    @world.force
    def zone(body, _tick):
        nonlocal in_zone
        if body.position < 50:
            in_zone += 1
            body.push(-(body.velocity // 2))

    checksum = 0
    while world.tick < ticks:
        world.step()
        if world.tick % 10 == 0:
            checksum = (checksum * 31 + world.energy()) % 1000000007

    momentum = sum(body.momentum() for body in world.bodies)
    print(f"ticks: {world.tick}")
    print(f"checksum: {checksum}")
    print(f"energy: {world.energy()}")
    print(f"momentum: {momentum}")
    print(f"in zone: {in_zone}")
    for body in world.bodies[:3]:
        print(body.describe())


main(int(sys.argv[1]))
